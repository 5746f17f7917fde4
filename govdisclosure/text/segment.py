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
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from govdisclosure.text import _data
from govdisclosure.text._cache import ID, CachedRows, CacheError, TokenCache, cache_root, ensure_dir, text_keys
from govdisclosure.text._encoded import SEPARATOR, EncodedTokens, Tokens, as_list, encode, splittable

__all__ = ["Segmenter", "default_segmenter"]

Backend = Literal["jieba", "rjieba"]
Mode = Literal["cut", "tag"]
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
        texts = list(texts)
        if self._cache is None:
            # Nothing to store: the lists as segmented, without encoding them.
            return [as_list(words) for words, _ in self._segment_all(texts, "cut", n_jobs)]
        words, _ = self._encoded(texts, "cut", n_jobs)
        return words.lists()

    def tag_many(self, texts: Iterable[str], *, n_jobs: int = 1) -> list[list[tuple[str, str]]]:
        """:meth:`tag` for many texts, cached and optionally in several processes."""
        words, tags = self._encoded(list(texts), "tag", n_jobs)
        tag_lists = tags.lists() if tags is not None else [[] for _ in range(len(words.counts))]
        return [list(zip(w, t, strict=True)) for w, t in zip(words.lists(), tag_lists, strict=True)]

    def _encoded(self, texts: list[str], mode: Mode, n_jobs: int) -> tuple[EncodedTokens, EncodedTokens | None]:
        """Every text's tokens (and, for ``"tag"``, tags), dictionary-encoded.

        From the cache where it has the text (verified by the text's hash and this
        segmenter's fingerprint), segmented and stored otherwise.
        """
        cache = self._cache
        if cache is None:
            return self._segment_encoded(texts, mode, n_jobs)
        fingerprint = f"{self.fingerprint}:{mode}"
        keys = text_keys(texts)
        cached = _read_cache(cache, fingerprint, keys, mode)
        if cached is None:  # the file cannot be used (warned): do without it for this call
            return self._segment_encoded(texts, mode, n_jobs)
        missing = [i for i, key in enumerate(keys) if key not in cached.rows]
        if not missing:
            return _from_cache(cached, keys, 0), _from_cache(cached, keys, 1) if mode == "tag" else None
        fresh = self._segment_encoded([texts[i] for i in missing], mode, n_jobs)
        _write_cache(cache, fingerprint, [keys[i] for i in missing], fresh)
        if len(missing) == len(texts):
            return fresh
        words = _merge(cached, keys, fresh[0], 0)
        return words, None if fresh[1] is None else _merge(cached, keys, fresh[1], 1)

    def _segment_encoded(
        self, texts: list[str], mode: Mode, n_jobs: int
    ) -> tuple[EncodedTokens, EncodedTokens | None]:
        segmented = self._segment_all(texts, mode, n_jobs)
        arrow = all(map(splittable, texts))
        words = encode([w for w, _ in segmented], arrow=arrow)
        return words, encode([t or [] for _, t in segmented], arrow=arrow) if mode == "tag" else None

    def _segment_all(self, texts: list[str], mode: Mode, n_jobs: int) -> list[Segmented]:
        """Segment every text, in a process pool if ``n_jobs`` asks for one."""
        from govdisclosure.text import parallel

        if parallel.resolve_n_jobs(n_jobs) > 1 and len(texts) > 1:
            return parallel.segment_texts(self, texts, mode, n_jobs)
        return [self._segment(text, mode) for text in texts]

    def _segment(self, text: str, mode: Mode) -> tuple[list[str], list[str] | None]:
        if mode == "cut":
            return self.cut(text), None
        pairs = self.tag(text)
        return [w for w, _ in pairs], [f for _, f in pairs]

    def _joined(self, text: str, mode: Mode) -> Segmented:
        """One text's tokens (and tags) joined by the separator: the form workers return.

        A text containing the separator keeps its lists: joined, it could not be split back.
        """
        words, tags = self._segment(text, mode)
        if SEPARATOR in text:
            return words, tags
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


# A text's tokens and tags (None when cutting) as segmented here (lists) or as returned by a
# worker process (joined strings).
Segmented = tuple[Tokens, Tokens | None]


def _per_text(codes: np.ndarray, counts: np.ndarray) -> Iterator[np.ndarray]:
    """``codes`` cut into one array per text."""
    start = 0
    for end in np.cumsum(counts).tolist():
        yield codes[start:end]
        start = end


def _read_cache(cache: TokenCache, fingerprint: str, keys: list[bytes], mode: Mode) -> CachedRows | None:
    try:
        return cache.get_many(fingerprint, keys, tags=mode == "tag")
    except CacheError as exc:
        # The cache only saves time: a file that cannot be read must not stop an analysis.
        warnings.warn(f"{exc}; segmenting without the cache", RuntimeWarning, stacklevel=4)
        return None


def _write_cache(
    cache: TokenCache, fingerprint: str, keys: list[bytes], fresh: tuple[EncodedTokens, EncodedTokens | None]
) -> None:
    words, tags = fresh
    types = words.types
    tag_codes: list[np.ndarray | None] = [None] * len(keys)
    if tags is not None:
        # One vocabulary for tokens and tags: tag codes move past the token types.
        types = np.concatenate((words.types, tags.types))
        tag_codes = list(_per_text(tags.codes + len(words.types), tags.counts))
    entries = zip(keys, _per_text(words.codes, words.counts), tag_codes, strict=True)
    try:
        cache.put_many(fingerprint, types, entries)
    except CacheError as exc:
        warnings.warn(f"{exc}; these segmentations were not cached", RuntimeWarning, stacklevel=4)


def _from_cache(cached: CachedRows, keys: list[bytes], column: int) -> EncodedTokens:
    """Tokens (``column`` 0) or tags (1) of texts that all came from the cache."""
    blobs = [cached.rows[key][column] or b"" for key in keys]
    counts = np.fromiter((len(b) // ID.itemsize for b in blobs), dtype=np.int64, count=len(blobs))
    if cached.in_order is not None:
        return EncodedTokens(cached.types, cached.in_order[column], counts)
    # One join and one frombuffer for the whole batch, rather than an array per text.
    codes = np.frombuffer(b"".join(blobs), dtype=ID)
    return EncodedTokens(cached.types, codes, counts)


def _merge(cached: CachedRows, keys: list[bytes], fresh: EncodedTokens, column: int) -> EncodedTokens:
    """Cached and freshly segmented texts in one encoding, in the order of ``keys``.

    The fresh types are appended to the cache's (a type may then appear twice, which changes
    nothing downstream), so neither side's codes need looking up.
    """
    offset = len(cached.types)
    fresh_parts = _per_text(fresh.codes.astype(np.int64) + offset, fresh.counts)
    parts = [
        np.frombuffer(cached.rows[key][column] or b"", dtype=ID) if key in cached.rows else next(fresh_parts)
        for key in keys
    ]
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    counts = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    return EncodedTokens(np.concatenate((cached.types, fresh.types)), codes, counts)


# -- token filters ------------------------------------------------------------------------------

WORD, NUMBER, PUNCT, SPACE = 0, 1, 2, 3
_NUMBER = re.compile(r"[+-]?[0-9][0-9.,:/_@\-]*%?|[0-9]*\.[0-9]+%?")


def token_kind(token: str) -> int:
    """Classify a token: ``WORD``, ``NUMBER``, ``PUNCT`` (no letter, digit or CJK) or ``SPACE``."""
    if token.isalpha():
        # Most tokens (Chinese words): letters only cannot be space, a number (which needs a
        # digit or a point) or punctuation. One C call instead of a regex and a generator.
        return WORD
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
