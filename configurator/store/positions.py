"""A small, strict JSON5 parser: plain Python data, and the position of every key and value, in one pass.

It accepts exactly the JSON5 grammar (https://spec.json5.org/, 1.0.0): ``//`` and ``/* */`` comments,
single-quoted strings, identifier keys (``\\uXXXX`` escapes and reserved words included), trailing commas,
hexadecimal integers, ``Infinity``/``NaN`` with an optional sign, leading/trailing decimal points, line
continuations and every escape in strings (``\\x41``, ``\\u0041``, ``\\0``, ``\\a`` -> ``a``), and all Unicode
space separators as white space. Anything else is a :class:`~configurator.errors.ParseError` with the
1-based line and column of the offending character. The last of duplicate keys wins, as in JSON.

Reading a config file this way costs no import of json-five (about 90 ms to import and parse); json-five
is kept for edits that must keep comments (:mod:`configurator.store.jsonedit`). ``tests/lint`` proves the
two read the same data from generated and mutated documents, apart from the points where json-five
departs from the specification (it refuses ``{null: 1}``, U+2028 in strings and ``\\u3000`` as space, and
accepts ``"\\1"`` and ``"\\u12"``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from configurator.text import LineIndex

Pos = tuple[int, int]
KeyPath = tuple[str | int, ...]

#: white space (Unicode Zs, tab, line terminators, BOM, VT, FF) and comments; a comment ends at any
#: line terminator (LF, CR, U+2028, U+2029)
_WS = re.compile(
    "(?:[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
    "|//[^\n\r\u2028\u2029]*|/\\*.*?\\*/)*",
    re.S,
)
#: a string body up to its closing quote: no raw LF/CR; a backslash escapes the next character (or CRLF)
_DQ = re.compile(r'"((?:[^"\\\n\r]|\\(?:\r\n|[\s\S]))*)"')
_SQ = re.compile(r"'((?:[^'\\\n\r]|\\(?:\r\n|[\s\S]))*)'")
_ESC = re.compile(r"\\(?:\r\n|[\s\S])")
_HEX = re.compile(r"[0-9a-fA-F]+")
_NUMBER = re.compile(r"0[xX]([0-9a-fA-F]+)|(?:0|[1-9][0-9]*)(\.[0-9]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?")
_ASCII_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SINGLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "0": "\0",
           "\n": "", "\r": "", "\r\n": "", "\u2028": "", "\u2029": ""}
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None, "Infinity": float("inf"),
                             "NaN": float("nan")}
_PUNCT = {"{": "LBRACE", "}": "RBRACE", "[": "LBRACKET", "]": "RBRACKET", ":": "COLON", ",": "COMMA",
          "+": "PLUS", "-": "MINUS", '"': "DOUBLE_QUOTE_STRING", "'": "SINGLE_QUOTE_STRING"}
_WORD_TOKENS = {"true": "TRUE", "false": "FALSE", "null": "NULL", "Infinity": "INFINITY", "NaN": "NAN"}
_NOT_A_VALUE = object()
#: nesting deeper than this is refused (as "nested too deeply"), well before Python's recursion limit
MAX_DEPTH = 400


class Json5Error(ValueError):
    """Where (offset into the text) and what is wrong; the store turns it into a ParseError."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def _is_id_char(c: str, *, start: bool) -> bool:
    """ECMAScript 5.1 IdentifierStart / IdentifierPart for one (non-escape) character."""
    if c in "$_":
        return True
    if c < "\x80":
        return c.isalpha() or (not start and c.isdigit())
    if not start and c in "\u200c\u200d":
        return True
    import unicodedata

    cat = unicodedata.category(c)
    if cat in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nl"):
        return True
    return not start and cat in ("Mn", "Mc", "Nd", "Pc")


def _join_surrogates(s: str) -> str:
    """An escaped pair like ``\\ud83d\\ude42`` is one character (a lone escaped surrogate stays as it is)."""
    if not any("\ud800" <= c <= "\udfff" for c in s):
        return s
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


class _Parser:
    def __init__(self, text: str, *, record: bool = False) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.record = record
        self.index = LineIndex(text) if record else None
        #: key path -> (position of the key, position of the value); array elements: (value, value)
        self.out: dict[KeyPath, tuple[Pos, Pos]] = {}

    # --- helpers ---------------------------------------------------------------------------------------------

    def pos(self, offset: int) -> Pos:
        assert self.index is not None
        return self.index.position(offset)

    def ws(self) -> None:
        m = _WS.match(self.text, self.i)
        self.i = m.end() if m else self.i
        if self.text.startswith("/*", self.i):
            raise Json5Error(self.i, "this /* comment is never closed with */")

    def token(self, i: int) -> str:
        """json-five's name for the token at ``i`` (for messages); an illegal character is an error itself."""
        text = self.text
        c = text[i]
        ws = _WS.match(text, i)
        if ws is not None and ws.end() > i:
            return "WHITESPACE"
        if c in _PUNCT:
            if c in "\"'" and not (_DQ if c == '"' else _SQ).match(text, i):
                return "UNTERMINATED_" + _PUNCT[c]
            return _PUNCT[c]
        if c.isdigit() or c == ".":
            m = _NUMBER.match(text, i)
            if m is None:
                raise Json5Error(i, f"Illegal character {c!r}")
            if m.group(1) is not None:
                return "HEXADECIMAL"
            return "FLOAT" if any(ch in m.group(0) for ch in ".eE") else "INTEGER"
        if c == "\\" or _is_id_char(c, start=True):
            m = _ASCII_IDENT.match(text, i)
            return _WORD_TOKENS.get(m.group(0), "NAME") if m else "NAME"
        raise Json5Error(i, f"Illegal character {c!r}")

    def expected(self, what: str) -> Json5Error:
        if self.i >= self.n:
            return Json5Error(self.n, f"Expecting value. Unexpected EOF. Was expecting {what}")
        return Json5Error(self.i, f"Was expecting {what} in or near token {self.token(self.i)}")

    # --- grammar ---------------------------------------------------------------------------------------------

    def document(self) -> Any:
        self.ws()
        start = self.i
        if self.i >= self.n:
            raise self.expected("value")
        value = self.value((), 0)
        self.ws()
        if self.i < self.n:
            raise Json5Error(self.i, f"in or near token {self.token(self.i)}")
        self.root = start
        return value

    def value(self, path: KeyPath, depth: int) -> Any:
        if self.i >= self.n:
            raise self.expected("value")
        c = self.text[self.i]
        if c == "{":
            return self.obj(path, depth + 1)
        if c == "[":
            return self.array(path, depth + 1)
        if c == '"' or c == "'":
            return self.string()
        if c in "+-":
            sign_at = self.i
            self.i += 1
            v = self.number_or_word(signed=True)
            if v is _NOT_A_VALUE:
                self.i = sign_at + 1
                raise self.expected("value")
            return -v if c == "-" else v
        v = self.number_or_word(signed=False)
        if v is _NOT_A_VALUE:
            raise self.expected("value")
        return v

    def number_or_word(self, *, signed: bool) -> Any:
        """A number or a literal word (true, false, null, Infinity, NaN) at ``self.i``; _NOT_A_VALUE if none."""
        text, i = self.text, self.i
        if i >= self.n:
            return _NOT_A_VALUE
        c = text[i]
        if c.isdigit() or c == ".":
            m = _NUMBER.match(text, i)
            if m is None:
                return _NOT_A_VALUE
            s = m.group(0)
            if s[0] == "0" and m.end() < self.n and text[m.end()].isdigit() and m.group(1) is None:
                raise Json5Error(i, "Invalid integer literal. Octals are not allowed in or near token OCTAL")
            self.i = m.end()
            if m.group(1) is not None:
                return int(m.group(1), 16)
            if m.group(2) is not None or m.group(3) is not None or s[0] == ".":
                return float(s)
            return int(s)
        m = _ASCII_IDENT.match(text, i)
        if m is None:
            return _NOT_A_VALUE
        word = m.group(0)
        end = m.end()
        if end < self.n and (text[end] == "\\" or _is_id_char(text[end], start=False)):
            return _NOT_A_VALUE  # a longer name (Infinityx): not a value
        if word not in _LITERALS or (signed and word not in ("Infinity", "NaN")):
            return _NOT_A_VALUE
        self.i = end
        return _LITERALS[word]

    def string(self) -> str:
        text, i = self.text, self.i
        quote = text[i]
        m = (_DQ if quote == '"' else _SQ).match(text, i)
        if m is None:
            j = i + 1
            while j < self.n and text[j] != quote:
                if text[j] in "\n\r":
                    raise Json5Error(j, "Illegal line terminator without continuation in or near token "
                                        + _PUNCT[quote])
                j += 2 if text[j] == "\\" else 1
            raise Json5Error(i, f"this string is never closed in or near token UNTERMINATED_{_PUNCT[quote]}")
        self.i = m.end()
        body = m.group(1)
        if "\\" not in body:
            return body
        return self.unescape(body, i + 1, _PUNCT[quote])

    def unescape(self, body: str, at: int, token: str) -> str:
        out: list[str] = []
        last = 0
        escaped_unicode = False
        for m in _ESC.finditer(body):
            out.append(body[last:m.start()])
            last = m.end()
            c = m.group(0)[1:]
            if c == "x" or c == "u":
                width = 2 if c == "x" else 4
                digits = body[last:last + width]
                if len(digits) != width or not _HEX.fullmatch(digits):
                    what = "two hexadecimal digits" if c == "x" else "four hexadecimal digits"
                    raise Json5Error(at + m.start(), f"'\\{c}' MUST be followed by {what} in or near token {token}")
                out.append(chr(int(digits, 16)))
                escaped_unicode = escaped_unicode or c == "u"
                last += width
                continue
            if c == "0" and body[last:last + 1].isdigit():
                raise Json5Error(at + m.start(),
                                 f"'\\0' MUST NOT be followed by a decimal digit in or near token {token}")
            if "1" <= c <= "9":
                raise Json5Error(at + m.start(), f"'\\{c}' is not an escape JSON5 allows in or near token {token}")
            out.append(_SINGLE.get(c, c))
        out.append(body[last:])
        s = "".join(out)
        return _join_surrogates(s) if escaped_unicode else s

    def key(self) -> str:
        c = self.text[self.i]
        if c == '"' or c == "'":
            return self.string()
        text, i = self.text, self.i
        m = _ASCII_IDENT.match(text, i)
        name = m.group(0) if m else ""
        j = m.end() if m else i
        while j < self.n:
            ch = text[j]
            if ch == "\\":
                digits = text[j + 2:j + 6]
                if text[j + 1:j + 2] != "u" or len(digits) != 4 or not _HEX.fullmatch(digits):
                    raise Json5Error(j, "a \\ in a key must start a \\uXXXX escape")
                ch = chr(int(digits, 16))
                if not _is_id_char(ch, start=not name):
                    raise Json5Error(j, f"the escape \\u{digits} is not a character a key may hold without quotes")
                name += ch
                j += 6
            elif _is_id_char(ch, start=not name):
                name += ch
                j += 1
            else:
                break
        if not name:
            raise self.expected("RBRACE or key")
        self.i = j
        return name

    def obj(self, path: KeyPath, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise Json5Error(-1, "nested too deeply")
        self.i += 1
        out: dict[str, Any] = {}
        self.ws()
        while True:
            if self.i >= self.n:
                raise self.expected("RBRACE or key")
            c = self.text[self.i]
            if c == "}":
                self.i += 1
                return out
            if c == ",":
                raise self.expected("RBRACE or key")
            kstart = self.i
            key = self.key()
            self.ws()
            if self.i >= self.n or self.text[self.i] != ":":
                raise self.expected("COLON")
            self.i += 1
            self.ws()
            if self.record:
                self.out[path + (key,)] = (self.pos(kstart), self.pos(self.i))
            out[key] = self.value(path + (key,), depth)
            self.ws()
            if self.i < self.n and self.text[self.i] == ",":
                comma = self.i
                self.i += 1
                self.ws()
                if self.i < self.n and self.text[self.i] == ",":
                    raise Json5Error(comma, "multiple trailing commas in or near token COMMA")
            elif self.i >= self.n or self.text[self.i] != "}":
                raise self.expected("COMMA or RBRACE")

    def array(self, path: KeyPath, depth: int) -> list[Any]:
        if depth > MAX_DEPTH:
            raise Json5Error(-1, "nested too deeply")
        self.i += 1
        out: list[Any] = []
        self.ws()
        while True:
            if self.i >= self.n:
                raise self.expected("RBRACKET or value")
            c = self.text[self.i]
            if c == "]":
                self.i += 1
                return out
            if c == ",":
                raise self.expected("RBRACKET or value")
            if self.record:
                p = self.pos(self.i)
                self.out[path + (len(out),)] = (p, p)
            out.append(self.value(path + (len(out),), depth))
            self.ws()
            if self.i < self.n and self.text[self.i] == ",":
                comma = self.i
                self.i += 1
                self.ws()
                if self.i < self.n and self.text[self.i] == ",":
                    raise Json5Error(comma, "multiple trailing commas in or near token COMMA")
            elif self.i >= self.n or self.text[self.i] != "]":
                raise self.expected("RBRACKET or COMMA")


def loads(text: str) -> Any:
    """The data in JSON5 ``text``; :class:`Json5Error` (with the offset, -1 for "nested too deeply") otherwise.

    A blank text is an error here (the store reads a blank file as ``{}`` before calling this)."""
    return _Parser(text).document()


class JsonPositions:
    """All positions of one JSON/JSON5 text; ``locate`` answers like ``store.locate``."""

    def __init__(self, text: str) -> None:
        p = _Parser(text, record=True)
        p.document()
        self.root = p.pos(p.root)
        self.map = p.out

    def locate(self, path: Sequence[str | int], *, value: bool = False) -> Pos:
        best = self.root
        prefix: KeyPath = ()
        for part in path:
            key: str | int = part if isinstance(part, int) else str(part)
            prefix = prefix + (key,)
            hit = self.map.get(prefix)
            if hit is None:
                return best
            best = hit[0]
        if value and prefix:
            return self.map[prefix][1]
        return best


def json_positions(text: str) -> JsonPositions | None:
    """Positions for ``text``, or None when it is not JSON5 (nothing to point into)."""
    try:
        return JsonPositions(text)
    except (Json5Error, RecursionError):
        return None
