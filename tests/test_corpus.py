"""read_corpus: every input path ends up in reports or failures, one warning, the CLI."""

from __future__ import annotations

import shutil
import warnings

import pandas as pd
import pytest
from distinct import SEED_PIPE, SEED_TAB

import govdisclosure as gd
from govdisclosure.cli import main


@pytest.fixture
def mixed_dir(tmp_path):
    shutil.copy(SEED_TAB, tmp_path / "a.txt")
    shutil.copy(SEED_PIPE, tmp_path / "b.md")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.txt").write_bytes(b"\x00\xff\xfe" * 100)
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "notes.txt").write_text("购物清单：苹果、香蕉。\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    return tmp_path


def test_every_path_is_parsed_or_failed_once(mixed_dir) -> None:
    with pytest.warns(gd.GovDisclosureWarning, match="4 of 6 files could not be read") as caught:
        corpus = gd.read_corpus(mixed_dir)
    assert len(caught) == 1
    parsed = {p.split("/")[-1] for p in corpus.reports["source_path"]}
    failed = dict(zip([p.split("/")[-1] for p in corpus.failures["source_path"]],
                      corpus.failures["error"], strict=True))
    assert parsed == {"a.txt", "b.md"}
    assert failed == {"empty.txt": "ExtractionError", "junk.txt": "ExtractionError",
                      "old.doc": "UnsupportedFormatError", "notes.txt": "ExtractionError"}
    assert corpus.failures.set_index("error").loc["UnsupportedFormatError", "message"].endswith(
        "convert-to docx FILE.doc`.")
    assert "does not look like" in corpus.failures.set_index("source_path").loc[
        str(mixed_dir / "notes.txt"), "message"]
    assert len(corpus.tables) == 400
    assert set(corpus.sections["report_id"]) == set(corpus.reports["report_id"])
    assert repr(corpus).startswith("<Corpus reports=2 failures=4 cells=400")


def test_glob_and_list_inputs(mixed_dir) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = gd.read_corpus(str(mixed_dir / "[ab].*"))
    assert len(corpus.reports) == 2 and corpus.failures.empty
    corpus = gd.read_corpus([mixed_dir / "a.txt"])
    assert corpus.reports["agency"].tolist() == ["郏县白庙乡人民政府"]


def test_a_directory_lists_every_file_below_it_sorted_but_hidden_ones(tmp_path) -> None:
    for name in ["b/c.txt", "b/.hidden/x.txt", ".top/y.txt", "b/.dot.txt", "a.md", "b/a.html", "e/f/g.pdf"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "b", target_is_directory=True)  # not descended into
    (tmp_path / "b" / "link.md").symlink_to(tmp_path / "a.md")  # a file, through a link
    (tmp_path / "b" / "broken.md").symlink_to(tmp_path / "missing.md")
    expected = [str(tmp_path / n) for n in ["a.md", "b/a.html", "b/c.txt", "b/link.md", "e/f/g.pdf"]]
    assert gd.corpus.expand_paths(tmp_path) == expected
    assert gd.corpus.expand_paths(f"{tmp_path}/./") == expected
    assert gd.corpus.expand_paths([tmp_path / "e", tmp_path / "a.md"]) == [expected[-1], expected[0]]


def test_a_folder_that_cannot_be_listed_is_a_failure_not_missing(tmp_path, monkeypatch) -> None:
    import os

    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "a.txt").write_text(SEED_TAB.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.txt").write_text("x", encoding="utf-8")
    locked = str(tmp_path / "locked")
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(fn):  # as for a folder without read permission (tests may run as root)
        def call(path):
            if str(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return fn(path)
        return call

    monkeypatch.setattr(os, "scandir", refuse(real_scandir))
    monkeypatch.setattr(os, "listdir", refuse(real_listdir))
    assert gd.corpus.expand_paths(tmp_path) == [locked, str(tmp_path / "open" / "a.txt")]
    with pytest.warns(gd.GovDisclosureWarning):
        corpus = gd.read_corpus(tmp_path, progress=False, cache=False)
    assert list(corpus.reports["source_path"]) == [str(tmp_path / "open" / "a.txt")]
    assert corpus.failures.to_dict("records") == [{
        "source_path": locked, "error": "FolderError",
        "message": f"{locked}: the folder's files cannot be listed (Permission denied); none of its reports were read",
    }]


def test_a_folder_matched_by_a_pattern_is_a_failure(tmp_path) -> None:
    (tmp_path / "sub.d").mkdir()
    with pytest.warns(gd.GovDisclosureWarning):
        corpus = gd.read_corpus(f"{tmp_path}/*", progress=False, cache=False)
    assert corpus.failures["error"].tolist() == ["FolderError"]
    assert "a folder, not a report file" in corpus.failures["message"].iloc[0]


def test_missing_file_is_a_failure(tmp_path) -> None:
    with pytest.warns(gd.GovDisclosureWarning):
        corpus = gd.read_corpus([SEED_TAB, tmp_path / "nope.txt"])
    assert corpus.failures["error"].tolist() == ["FileNotFoundError"]


def test_cli_writes_excel_friendly_csv(tmp_path, capsys) -> None:
    code = main(["parse", str(SEED_TAB.parent), "--out", str(tmp_path), "--no-progress"])
    assert code == 0
    out = capsys.readouterr().out
    assert "reports read: 2    failed: 0" in out and "郏县白庙乡人民政府" in out
    for name in ("reports", "sections", "tables", "issues", "failures"):
        assert (tmp_path / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    tables = pd.read_csv(tmp_path / "tables.csv", encoding="utf-8-sig")
    assert len(tables) == 400 and tables["value"].eq(0).all()


def test_cli_exit_codes(mixed_dir, tmp_path, capsys) -> None:
    assert main(["parse", str(mixed_dir), "--out", str(tmp_path / "o"), "--no-progress"]) == 1
    assert "failed files:" in capsys.readouterr().out
    text = SEED_TAB.read_text(encoding="utf-8").replace("(七) 总计\t\t0\t0", "(七) 总计\t\t5\t0")
    bad = tmp_path / "bad.txt"
    bad.write_text(text, encoding="utf-8")
    assert main(["parse", str(bad), "--out", str(tmp_path / "p")]) == 0
    assert main(["parse", str(bad), "--out", str(tmp_path / "q"), "--strict"]) == 1
    with pytest.raises(SystemExit) as exc:
        main(["parse"])
    assert exc.value.code == 2


def test_html_repr_escapes_untrusted_text() -> None:
    text = SEED_PIPE.read_text(encoding="utf-8").replace(
        "襄城区欧庙镇2024年", "<script>x</script>镇2024年", 1)
    rep = gd.read_report(text.encode("utf-8"), format="txt")
    page = rep._repr_html_()
    assert rep.agency == "<script>x</script>镇"
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;镇" in page
    assert repr(rep).startswith("<Report ")
    corpus = gd.read_corpus([SEED_TAB])
    assert "郏县白庙乡人民政府" in corpus._repr_html_()


def test_cli_check_writes_the_audit(tmp_path, capsys) -> None:
    text = SEED_TAB.read_text(encoding="utf-8").replace("(七) 总计\t\t0\t0", "(七) 总计\t\t5\t0")
    bad = tmp_path / "reports" / "bad.txt"
    bad.parent.mkdir()
    bad.write_text(text, encoding="utf-8")
    xlsx, html_page = tmp_path / "audit.xlsx", tmp_path / "audit.html"
    code = main(["check", str(bad.parent), "--out", str(xlsx), "--out", str(html_page), "--no-progress"])
    assert code == 0
    out = capsys.readouterr().out
    assert "reports audited: 1" in out and "requests_outcomes_total" in out
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert len(sheets) >= 2
    assert "表三（七）总计·自然人" in html_page.read_text(encoding="utf-8")
    assert main(["check", str(bad.parent), "--out", str(xlsx), "--strict", "--no-progress"]) == 1
    assert callable(gd.audit) and len(gd.audit(gd.read_corpus(bad.parent))) >= 1


def test_cli_analyze_writes_data_figures_and_page(tmp_path, capsys) -> None:
    code = main(["analyze", str(SEED_TAB.parent), "--out", str(tmp_path), "--no-progress", "--no-cache"])
    assert code == 0
    out = capsys.readouterr().out
    assert "reports read: 2" in out and "summary page:" in out
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "郏县白庙乡人民政府" in page
    assert (tmp_path / "data" / "tables.csv").exists()
    assert any((tmp_path / "figures").glob("*.png")) and any((tmp_path / "figures").glob("*.svg"))


def test_a_readme_with_a_markdown_table_is_not_a_report(tmp_path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Corpus\n\n| file | agency | year |\n|---|---|---|\n| a.pdf | 某县 | 2024 |\n",
                      encoding="utf-8")
    with pytest.raises(gd.ExtractionError, match=r"README\.md: no report title"):
        gd.read_report(readme)
