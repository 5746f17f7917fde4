"""Word segmentation tuned for disclosure reports: :class:`Segmenter`.

A :class:`Segmenter` owns a private ``jieba.Tokenizer`` (or a private ``rjieba.Jieba``) loaded
with jieba's dictionary plus the packaged 政务公开 dictionary. It never touches
``jieba.dt``/``jieba.add_word``, the process-wide default other code in the same process shares
(DESIGN.md §7.5): after using a Segmenter, ``jieba.lcut("依申请公开")`` still returns jieba's own
``['依', '申请', '公开']``.

Nothing is loaded when this module is imported; the backend is built on first use.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import Any, Literal, Protocol

from govdisclosure.text import _data
from govdisclosure.text._cache import SEPARATOR, TokenCache, cache_root, ensure_dir, text_key

__all__ = ["Segmenter", "default_segmenter"]

Backend = Literal["jieba", "rjieba"]
UserWord = str | tuple[str, int] | tuple[str, int, str]

# Bump when the way tokens are produced changes (pre-processing, word handling), so cached
# segmentations of an older algorithm are not reused.
ALGORITHM_VERSION = "1"

# Runs of ASCII letters and digits joined by . _ - @ (URLs, e-mail, file names, dates such as
# 2024-01-10, phone numbers 0591-23165385, decimals) are kept as one token. Raw jieba 0.42.1
# splits them at the connector ("www", ".", "pingtan", …) while rjieba keeps them whole; taking
# them out before either backend sees the text makes the two agree, and a URL or a date is one
# unit for counting anyway.
_ASCII_COMPOUND = re.compile(r"[A-Za-z0-9]+(?:[._@\-][A-Za-z0-9]+)+%?")
# Most texts have no such run; this one-character-class scan rules them out in a quarter of
# the time the full pattern takes.
_HAS_COMPOUND = re.compile(r"[A-Za-z0-9][._@\-][A-Za-z0-9]")
_DIGITS = re.compile(r"[0-9._@\-%]+")


class _Engine(Protocol):
    def cut(self, text: str) -> list[str]: ...
    def tag(self, text: str) -> list[tuple[str, str]]: ...


@contextlib.contextmanager
def _quiet_jieba() -> Iterator[None]:
    """Silence jieba's start-up DEBUG messages for the duration of the block only.

    ``jieba.setLogLevel`` would change the level for every user of the "jieba" logger for the
    rest of the process; here the previous level is restored (and a stricter level the user set
    is kept).
    """
    logger = logging.getLogger("jieba")
    previous = logger.level
    logger.setLevel(max(previous, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(previous)


class _JiebaEngine:
    def __init__(self, words: Sequence[tuple[str, int, str | None]], hmm: bool) -> None:
        import jieba

        self._hmm = hmm
        tokenizer = jieba.Tokenizer()
        # jieba writes its prefix-dictionary cache to tempfile.gettempdir() unless told
        # otherwise: a shared directory. Keep it in the user's own cache directory, per version.
        tokenizer.tmp_dir = str(ensure_dir(cache_root() / f"jieba-{jieba.__version__}"))
        with _quiet_jieba():
            tokenizer.initialize()
        for word, freq, tag in words:
            tokenizer.add_word(word, freq, tag)
        self._tokenizer = tokenizer
        self._pos: Any = None
        self._pos_lock = threading.Lock()

    def cut(self, text: str) -> list[str]:
        return self._tokenizer.lcut(text, HMM=self._hmm)

    def tag(self, text: str) -> list[tuple[str, str]]:
        with self._pos_lock:
            if self._pos is None:
                import jieba.posseg

                # POSTokenizer reads the tags of jieba's dictionary and takes the user words'
                # tags from *our* tokenizer; it wraps it rather than jieba.dt.
                self._pos = jieba.posseg.POSTokenizer(self._tokenizer)
        return [(pair.word, pair.flag) for pair in self._pos.lcut(text, HMM=self._hmm)]


class _RjiebaEngine:
    def __init__(self, words: Sequence[tuple[str, int, str | None]], hmm: bool) -> None:
        try:
            import rjieba
        except ImportError as exc:
            raise ImportError(
                "backend='rjieba' needs the optional dependency rjieba: "
                "pip install 'govdisclosure[fast]' (or pip install rjieba)"
            ) from exc
        self._hmm = hmm
        # A private instance, not rjieba's module-level default.
        self._jieba = rjieba.Jieba()
        for word, freq, tag in words:
            self._jieba.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, self._hmm)

    def tag(self, text: str) -> list[tuple[str, str]]:
        return [(word, flag) for word, flag in self._jieba.tag(text, self._hmm)]


_ENGINES: dict[str, Callable[[Sequence[tuple[str, int, str | None]], bool], _Engine]] = {
    "jieba": _JiebaEngine,
    "rjieba": _RjiebaEngine,
}


def _normalise_user_words(user_words: Iterable[UserWord]) -> list[tuple[str, int, str | None]]:
    entries: list[tuple[str, int, str | None]] = []
    for item in user_words:
        if isinstance(item, str):
            word, freq, tag = item, _data.DEFAULT_WORD_FREQ, None
        elif isinstance(item, tuple) and len(item) in (2, 3):
            word, freq = item[0], int(item[1])
            tag = item[2] if len(item) == 3 else None  # type: ignore[misc]
        else:
            raise TypeError(f"user word {item!r}: give a word, (word, freq) or (word, freq, tag)")
        if not word or any(ch.isspace() for ch in word):
            raise ValueError(f"user word {word!r}: must be non-empty and contain no whitespace")
        if freq < 1:
            raise ValueError(
                f"user word {word!r}: frequency must be at least 1 (jieba deletes words with "
                "frequency 0 through a process-global setting, which govdisclosure never uses)"
            )
        entries.append((word, freq, tag))
    return entries


class Segmenter:
    """Chinese word segmentation with the 政务公开 domain dictionary, on a private tokenizer.

    Args:
        backend: ``"jieba"`` (default) or ``"rjieba"`` (Rust, ~20x faster, identical tokens on
            report text; install the ``fast`` extra).
        user_words: Extra words, each a word, ``(word, freq)`` or ``(word, freq, tag)``; a word
            without a frequency gets the packaged dictionary's (1000). They are added after the
            packaged dictionary, so they can override its entries.
        dictionary: ``True`` for the packaged domain dictionary, ``False`` for jieba's
            dictionary alone, or the path of a dictionary file in the same format
            (``word freq tag`` per line, ``#`` comments) used instead of the packaged one.
        hmm: Let jieba's HMM join characters into words its dictionary lacks (jieba's default).
        cache: Keep segmentations in the per-user token cache (``True``), not at all
            (``False``), or in the SQLite file at this path. Only :meth:`cut_many` and
            :meth:`tag_many` (what :func:`~govdisclosure.text.tokens` uses) read and write it.

    Example:
        >>> from govdisclosure.text import Segmenter
        >>> seg = Segmenter(user_words=["白庙乡"])
        >>> seg.cut("严格遵循依申请公开工作流程")
        ['严格', '遵循', '依申请公开', '工作', '流程']
    """

    def __init__(
        self,
        *,
        backend: Backend = "jieba",
        user_words: Iterable[UserWord] = (),
        dictionary: bool | str | PathLike[str] = True,
        hmm: bool = True,
        cache: bool | str | PathLike[str] = True,
    ) -> None:
        if backend not in _ENGINES:
            raise ValueError(f"backend must be one of {sorted(_ENGINES)}, not {backend!r}")
        if dictionary is True:
            words = list(_data._dictionary_entries())
            dictionary_id = f"packaged:{_data.dictionary_digest()}"
        elif dictionary is False:
            words, dictionary_id = [], "none"
        else:
            path = Path(dictionary)
            content = path.read_text(encoding="utf-8")
            words = _data.parse_dictionary(content, source=str(path))
            dictionary_id = "file:" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
        # One entry per word, the last one winning: adding a word twice would count its
        # frequency twice in jieba's total, differently from rjieba, and break their agreement.
        merged = {word: (word, freq, tag) for word, freq, tag in words}
        for word, freq, tag in _normalise_user_words(user_words):
            merged.pop(word, None)
            merged[word] = (word, freq, tag)
        self.backend: Backend = backend
        self.hmm = hmm
        self.words: tuple[tuple[str, int, str | None], ...] = tuple(merged.values())
        self._dictionary_id = dictionary_id
        self._cache_setting = cache
        if cache is True:
            self._cache: TokenCache | None = TokenCache(cache_root() / "tokens.sqlite3")
        elif cache is False:
            self._cache = None
        else:
            self._cache = TokenCache(Path(cache))
        self._engine: _Engine | None = None
        self._lock = threading.Lock()
        self._fingerprint: str | None = None

    # -- identity ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        return (
            f"Segmenter(backend={self.backend!r}, words={len(self.words)}, hmm={self.hmm}, "
            f"cache={str(self.cache_path) if self.cache_path else False!r})"
        )

    @property
    def cache_path(self) -> Path | None:
        """The SQLite file of the token cache, or ``None`` when caching is off."""
        return self._cache.path if self._cache is not None else None

    @property
    def fingerprint(self) -> str:
        """What the tokens depend on, hashed: backend and version, words, HMM, algorithm.

        Two segmenters with the same fingerprint produce the same tokens; the token cache is
        keyed by it (with the hash of each text).
        """
        if self._fingerprint is None:
            try:
                backend_version = metadata.version(self.backend)
            except metadata.PackageNotFoundError as exc:
                raise ImportError(
                    f"backend={self.backend!r} is not installed: pip install {self.backend}"
                    + (" (or the 'fast' extra of govdisclosure)" if self.backend == "rjieba" else "")
                ) from exc
            digest = hashlib.sha256()
            parts = [
                ALGORITHM_VERSION,
                self.backend,
                backend_version,
                # rjieba embeds jieba-rs's copy of jieba's dictionary; jieba's version pins it
                # for the jieba backend.
                str(self.hmm),
                self._dictionary_id,
            ]
            parts += [f"{w} {f} {t or ''}" for w, f, t in self.words]
            digest.update("\n".join(parts).encode("utf-8"))
            self._fingerprint = digest.hexdigest()[:24]
        return self._fingerprint

    def __getstate__(self) -> dict[str, Any]:
        # Pickle the configuration, not the loaded dictionary: worker processes and
        # scikit-learn's joblib rebuild the engine on first use.
        state = self.__dict__.copy()
        state["_engine"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _get_engine(self) -> _Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = _ENGINES[self.backend](self.words, self.hmm)
        return self._engine

    def load(self) -> Segmenter:
        """Load the dictionaries now rather than on first use; returns ``self``."""
        self._get_engine()
        return self

    # -- segmentation -----------------------------------------------------------------------

    def cut(self, text: str) -> list[str]:
        """Segment one text into tokens (whitespace and punctuation included, as jieba does).

        The tokens concatenate back to ``text``. Not cached: for many texts use
        :meth:`cut_many`.
        """
        engine = self._get_engine()
        if not _HAS_COMPOUND.search(text):
            return engine.cut(text)
        out: list[str] = []
        pos = 0
        for match in _ASCII_COMPOUND.finditer(text):
            if match.start() > pos:
                out += engine.cut(text[pos : match.start()])
            out.append(match.group())
            pos = match.end()
        if pos < len(text):
            out += engine.cut(text[pos:])
        return out

    def tag(self, text: str) -> list[tuple[str, str]]:
        """Segment one text into ``(token, part-of-speech)`` pairs (jieba's tag set).

        Part-of-speech tagging runs jieba's ``posseg`` (its own HMM for unknown words), so its
        tokens can differ slightly from :meth:`cut`'s, and between backends.
        """
        engine = self._get_engine()
        out: list[tuple[str, str]] = []
        pos = 0
        for match in _ASCII_COMPOUND.finditer(text):
            if match.start() > pos:
                out += engine.tag(text[pos : match.start()])
            word = match.group()
            out.append((word, "m" if _DIGITS.fullmatch(word) else "eng"))
            pos = match.end()
        if pos < len(text):
            out += engine.tag(text[pos:])
        return out

    def cut_many(self, texts: Iterable[str], *, n_jobs: int = 1) -> list[list[str]]:
        """Segment many texts, using the token cache and, optionally, several processes.

        Args:
            texts: The texts.
            n_jobs: Worker processes for the texts not in the cache; ``-1`` for one per CPU.
                Each worker builds its tokenizer once; below a few hundred KB of text a pool
                costs more than it saves.

        Returns:
            One token list per text, in order.
        """
        return _as_lists([words for words, _tags in self._process(list(texts), "cut", n_jobs)])

    def tag_many(self, texts: Iterable[str], *, n_jobs: int = 1) -> list[list[tuple[str, str]]]:
        """:meth:`tag` for many texts, cached and optionally in several processes."""
        segmented = self._process(list(texts), "tag", n_jobs)
        words = _as_lists([w for w, _ in segmented])
        tags = _as_lists([t or [] for _, t in segmented])
        return [list(zip(w, t, strict=True)) for w, t in zip(words, tags, strict=True)]

    def _process(self, texts: list[str], mode: Literal["cut", "tag"], n_jobs: int) -> list[Segmented]:
        """``(tokens, tags)`` per text, each a list (segmented here) or a separator-joined
        string (from the cache or a worker process, left joined so that callers that want
        Arrow arrays never create one Python object per token)."""
        results: list[Segmented | None] = [None] * len(texts)
        fingerprint = f"{self.fingerprint}:{mode}"
        keys: list[bytes] = []
        if self._cache is not None:
            keys = [text_key(t) for t in texts]
            found = self._cache.get_many(fingerprint, keys)
            for i, key in enumerate(keys):
                results[i] = found.get(key)
        missing = [i for i, r in enumerate(results) if r is None]
        if not missing:
            return results  # type: ignore[return-value]
        from govdisclosure.text import parallel

        todo = [texts[i] for i in missing]
        computed: list[Segmented]
        if parallel.resolve_n_jobs(n_jobs) > 1 and len(todo) > 1:
            computed = list(parallel.segment_texts(self, todo, mode, n_jobs))
        else:
            computed = [self._segment(text, mode) for text in todo]
        for i, value in zip(missing, computed, strict=True):
            results[i] = value
        if self._cache is not None:
            self._cache.put_many(
                fingerprint,
                (
                    (keys[i], _as_joined(words), None if tags is None else _as_joined(tags))
                    for i, (words, tags) in zip(missing, computed, strict=True)
                    # A text containing the separator could not be split back unambiguously.
                    if SEPARATOR not in texts[i]
                ),
            )
        return results  # type: ignore[return-value]

    def _segment(self, text: str, mode: Literal["cut", "tag"]) -> tuple[list[str], list[str] | None]:
        if mode == "cut":
            return self.cut(text), None
        pairs = self.tag(text)
        return [w for w, _ in pairs], [f for _, f in pairs]

    def _joined(self, text: str, mode: Literal["cut", "tag"]) -> tuple[str, str | None]:
        """One text's tokens (and tags) joined by the separator: the form workers return."""
        words, tags = self._segment(text, mode)
        return SEPARATOR.join(words), None if tags is None else SEPARATOR.join(tags)

    def clear_cache(self) -> None:
        """Delete this segmenter's entries from the token cache (other fingerprints stay)."""
        if self._cache is not None:
            for mode in ("cut", "tag"):
                self._cache.clear(f"{self.fingerprint}:{mode}")

    # -- scikit-learn -----------------------------------------------------------------------

    def analyzer(
        self,
        *,
        stopwords: Collection[str] | Literal["default"] | None = "default",
        remove_punct: bool = True,
        remove_numbers: bool = True,
    ) -> Analyzer:
        """A picklable callable for scikit-learn's ``analyzer=`` parameter.

        Args:
            stopwords: ``"default"`` for :func:`~govdisclosure.text.stopwords`, a collection of
                your own, or ``None``.
            remove_punct: Drop tokens without a letter, digit or Chinese character.
            remove_numbers: Drop numbers (2024, 3.5%, 0591-23165385).

        Example:
            >>> from sklearn.feature_extraction.text import TfidfVectorizer
            >>> vec = TfidfVectorizer(analyzer=Segmenter().analyzer())  # doctest: +SKIP
        """
        return Analyzer(self, stopwords=stopwords, remove_punct=remove_punct, remove_numbers=remove_numbers)


# Tokens as segmented here (a list) or as stored and sent between processes (one string,
# joined by SEPARATOR).
Tokens = list[str] | str
Segmented = tuple[Tokens, Tokens | None]


def _as_list(tokens: Tokens) -> list[str]:
    if isinstance(tokens, list):
        return tokens
    return tokens.split(SEPARATOR) if tokens else []


def _as_lists(values: list[Tokens]) -> list[list[str]]:
    return [_as_list(v) for v in values]


def _as_joined(tokens: Tokens) -> str:
    return tokens if isinstance(tokens, str) else SEPARATOR.join(tokens)


# -- token filters ------------------------------------------------------------------------------

WORD, NUMBER, PUNCT, SPACE = 0, 1, 2, 3
_NUMBER = re.compile(r"[+-]?[0-9][0-9.,:/_@\-]*%?|[0-9]*\.[0-9]+%?")


def token_kind(token: str) -> int:
    """Classify a token: ``WORD``, ``NUMBER``, ``PUNCT`` (no letter, digit or CJK) or ``SPACE``."""
    if not token or token.isspace():
        return SPACE
    if _NUMBER.fullmatch(token):
        return NUMBER
    if not any(ch.isalnum() for ch in token):
        return PUNCT
    return WORD


def resolve_stopwords(
    stopwords: Collection[str] | Literal["default"] | None,
) -> frozenset[str]:
    """``"default"`` → the packaged list, ``None`` → empty, a collection → itself."""
    if stopwords is None:
        return frozenset()
    if isinstance(stopwords, str):
        if stopwords == "default":
            return _data.stopwords()
        raise ValueError(f"stopwords must be 'default', None or a collection of words, not {stopwords!r}")
    return frozenset(stopwords)


class Analyzer:
    """Segment-and-filter callable for scikit-learn vectorizers (see :meth:`Segmenter.analyzer`).

    Called with a string it segments it; called with a list of tokens (already segmented, e.g.
    from the cache) it only filters them.
    """

    def __init__(
        self,
        segmenter: Segmenter,
        *,
        stopwords: Collection[str] | Literal["default"] | None = "default",
        remove_punct: bool = True,
        remove_numbers: bool = True,
    ) -> None:
        self.segmenter = segmenter
        self.stopwords = resolve_stopwords(stopwords)
        drop = {SPACE}
        if remove_punct:
            drop.add(PUNCT)
        if remove_numbers:
            drop.add(NUMBER)
        self._drop = frozenset(drop)
        self._keep: dict[str, bool] = {}  # decided once per distinct token

    def __call__(self, doc: str | Sequence[str]) -> list[str]:
        tokens = self.segmenter.cut(doc) if isinstance(doc, str) else doc
        keep = self._keep
        out = []
        for token in tokens:
            decision = keep.get(token)
            if decision is None:
                decision = keep[token] = token not in self.stopwords and token_kind(token) not in self._drop
            if decision:
                out.append(token)
        return out

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_keep": {}}


_DEFAULT: Segmenter | None = None
_DEFAULT_LOCK = threading.Lock()


def default_segmenter() -> Segmenter:
    """The segmenter functions use when none is given: jieba, packaged dictionary, cache on.

    Built on first call and reused, so a session loads the dictionary once.
    """
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Segmenter()
        return _DEFAULT
