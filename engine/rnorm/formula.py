"""A safe formula language for user-supplied functions f(x, y, r, ...).

The text is tokenised and parsed by hand (recursive descent) into a small AST of dataclasses, which is
evaluated with numpy ufuncs on arrays (broadcasting) under ``np.errstate(all="ignore")``.  Nothing is
ever passed to ``eval``/``exec``/``compile``/``ast.parse``; a formula can only name the variables given
by the caller, the constants ``pi`` and ``e`` and the whitelisted functions below.

Grammar (EBNF; whitespace between tokens is ignored)::

    formula = expr ;
    expr    = term , { ("+" | "-") , term } ;                  (* left-associative *)
    term    = unary , { ("*" | "/") , unary } ;                (* left-associative *)
    unary   = ("+" | "-") , unary | power ;
    power   = primary , [ ("^" | "**") , unary ] ;             (* right-assoc.: 2^3^2 = 2^(3^2) *)
    primary = number | name | name , "(" , [ expr , { "," , expr } ] , ")" | "(" , expr , ")" ;
    number  = ( digits , [ "." , [ digits ] ] | "." , digits ) , [ ("e" | "E") , [ "+" | "-" ] , digits ] ;
    name    = letter , { letter | digit } ;                    (* ASCII only; no "_" and no "." *)

So ``-x^2 = -(x^2)``, ``x^-2 = x^(-2)`` and ``2*x/3 = (2*x)/3``.  Implicit multiplication (``2x``,
``x y``, ``2(x)``) is an error.  The minus sign may also be written "−" (U+2212).

Functions: exp, log = ln (natural), log10, log2, sqrt, abs, sin, cos, tan, arcsin (= asin),
arccos (= acos), sinh, cosh, tanh, arctan (= atan), sign, relu(t) = max(t, 0), step(t) = 1 for t > 0
else 0 (nan stays nan), max(a, b), min(a, b), atan2(y, x) (= arctan2).  Function names are
case-insensitive (``EXP(x)``, ``Max(x, 0)``, ``Ln(2)``), as are the constant names (``PI``) except the
one-letter ``e``; variable names are case-sensitive (``X`` is not ``x``).  A name that matches nothing
gets a "did you mean" from the closest allowed spelling.  ``sqr`` is deliberately *not* provided (too
close to ``sqrt``; write t^2).  Constants: pi, e.  Domain errors (log(-1), 1/0, 0^-1, x^y overflowing) give nan/inf in the output; the
caller decides what to do with non-finite values.

Limits (each violation raises :class:`FormulaError` with the 0-based column of the offending token):

- at most ``MAX_LENGTH`` = 500 characters (checked before anything else, so huge inputs cost nothing);
- nesting depth at most ``MAX_DEPTH`` = 50, counting each "(", function call, unary sign and "^";
- at most ``MAX_NODES`` = 300 AST nodes;
- every numeric literal satisfies |v| <= 1e6 (``1e999`` is rejected, not turned into inf);
- a constant exponent (one without variables, folded at parse time) satisfies |p| <= 16, so
  ``10^100`` and ``9^9^9^9`` are rejected; an exponent that depends on variables (``x^y``) is allowed
  and simply overflows to inf where numpy says so.

    >>> f = parse("-x^2 + 2*max(y, 0)/3")
    >>> f.text, f.variables_used
    ('-x^2 + 2*max(y, 0)/3', ('x', 'y'))
    >>> float(f(x=2.0, y=3.0))
    -2.0
    >>> try:
    ...     parse("2x")
    ... except FormulaError as err:
    ...     print(err)
    implicit multiplication is not allowed: write '*' before 'x' at column 1
      2x
       ^
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from engine.rnorm.formula_ast import Binary, Call, Name, Neg, Node, Num, children, number_text, render
from engine.validation import DataError

__all__ = ["FormulaError", "Formula", "parse", "evaluate", "FUNCTIONS", "CONSTANTS",
           "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES", "MAX_LITERAL", "MAX_EXPONENT"]

MAX_LENGTH, MAX_DEPTH, MAX_NODES, MAX_LITERAL, MAX_EXPONENT = 500, 50, 300, 1e6, 16

CONSTANTS = {"pi": np.pi, "e": np.e}
# name -> (arity, numpy implementation, LaTeX command or None for \operatorname{name})
FUNCTIONS = {
    "exp": (1, np.exp, r"\exp"), "log": (1, np.log, r"\log"), "ln": (1, np.log, r"\ln"),
    "log10": (1, np.log10, r"\log_{10}"), "log2": (1, np.log2, r"\log_2"), "sqrt": (1, np.sqrt, None),
    "abs": (1, np.abs, None), "sin": (1, np.sin, r"\sin"), "cos": (1, np.cos, r"\cos"),
    "tan": (1, np.tan, r"\tan"), "arcsin": (1, np.arcsin, r"\arcsin"), "asin": (1, np.arcsin, r"\arcsin"),
    "arccos": (1, np.arccos, r"\arccos"), "acos": (1, np.arccos, r"\arccos"), "sinh": (1, np.sinh, r"\sinh"), "cosh": (1, np.cosh, r"\cosh"),
    "tanh": (1, np.tanh, r"\tanh"), "arctan": (1, np.arctan, r"\arctan"),
    "atan": (1, np.arctan, r"\arctan"), "sign": (1, np.sign, None),
    "relu": (1, lambda t: np.maximum(t, 0.0), None), "step": (1, lambda t: np.heaviside(t, 0.0), None),
    "max": (2, np.maximum, r"\max"), "min": (2, np.minimum, r"\min"),
    "atan2": (2, np.arctan2, None), "arctan2": (2, np.arctan2, None),
}
_LATEX = {name: spec[2] for name, spec in FUNCTIONS.items()}
_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide, "^": np.power}
_TOKEN = re.compile(r"\s*(?:(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
                    r"|(?P<name>[A-Za-z][A-Za-z0-9]*)|(?P<op>\*\*|[-+*/^(),\u2212]))")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


class FormulaError(DataError):
    """A formula that cannot be parsed or evaluated; ``position`` is the 0-based column."""

    def __init__(self, message: str, position: int, text: str = ""):
        self.message, self.position, self.text = message, position, text
        lo = max(0, position - 40)
        snippet = ("..." if lo else "") + text[lo:position + 40] + ("..." if len(text) > position + 40 else "")
        caret = " " * (position - lo + (3 if lo else 0)) + "^"
        super().__init__(f"{message} at column {position}" + (f"\n  {snippet}\n  {caret}" if text else ""))


class _Tok(NamedTuple):
    kind: str   # "num", "name", "op", "end"
    value: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    toks, i, n = [], 0, len(text)
    while True:
        m = _TOKEN.match(text, i)
        if m is None or m.lastgroup is None:
            j = i + len(text[i:]) - len(text[i:].lstrip())
            if j >= n:
                return toks + [_Tok("end", "", n)]
            raise FormulaError(f"unexpected character {text[j]!r}", j, text)
        kind = m.lastgroup
        value = "-" if m.group(kind) == "\u2212" else m.group(kind)
        toks.append(_Tok(kind, value, m.start(kind)))
        i = m.end()


def _function(name: str) -> str | None:
    """The FUNCTIONS key that ``name`` spells (case-insensitive), or None."""
    return name if name in FUNCTIONS else (name.lower() if name.lower() in FUNCTIONS else None)


def _constant(name: str) -> str | None:
    """The CONSTANTS key that ``name`` spells (case-insensitive, but "E" is not e), or None."""
    return name if name in CONSTANTS else (name.lower() if len(name) > 1 and name.lower() in CONSTANTS else None)


def _suggest(name: str, options) -> str:
    lower = {}
    for o in options:
        lower.setdefault(o.lower(), o)
    close = [o for o in options if o.lower() == name.lower()] or \
        [lower[m] for m in difflib.get_close_matches(name.lower(), list(lower), n=1)]
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Parser:
    def __init__(self, text: str, variables: tuple):
        self.text, self.variables = text, variables
        self.toks, self.i, self.depth, self.nodes = _tokenize(text), 0, 0, 0

    def error(self, message: str, pos: int):
        raise FormulaError(message, pos, self.text)

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def accept(self, *ops) -> _Tok | None:
        t = self.toks[self.i]
        if t.kind == "op" and t.value in ops:
            self.i += 1
            return t
        return None

    def enter(self, pos: int):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.error(f"formula nested too deeply (more than {MAX_DEPTH} levels)", pos)

    def make(self, node: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.error(f"formula too large (more than {MAX_NODES} nodes)", node.pos)
        node.const = _fold(node)
        return node

    def unexpected(self, t: _Tok, expecting: str = ""):
        if t.kind in ("num", "name") or (t.kind == "op" and t.value == "("):
            self.error(f"implicit multiplication is not allowed: write '*' before {t.value!r}", t.pos)
        if t.kind == "end":
            self.error(f"unexpected end of formula{expecting}", t.pos)
        if t.value == ")" and not expecting:
            self.error("unmatched ')'", t.pos)
        self.error(f"unexpected {t.value!r}{expecting}", t.pos)

    def parse(self) -> Node:
        if self.peek().kind == "end":
            self.error("empty formula", 0)
        node = self.expr()
        if self.peek().kind != "end":
            self.unexpected(self.peek())
        return node

    def expr(self) -> Node:
        node = self.term()
        while (t := self.accept("+", "-")) is not None:
            node = self.make(Binary(t.pos, op=t.value, left=node, right=self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while (t := self.accept("*", "/")) is not None:
            node = self.make(Binary(t.pos, op=t.value, left=node, right=self.unary()))
        return node

    def unary(self) -> Node:
        t = self.accept("+", "-")
        if t is None:
            return self.power()
        self.enter(t.pos)
        operand = self.unary()
        self.depth -= 1
        return operand if t.value == "+" else self.make(Neg(t.pos, operand=operand))

    def power(self) -> Node:
        base = self.primary()
        t = self.accept("^", "**")
        if t is None:
            return base
        self.enter(t.pos)
        start = self.peek().pos
        exponent = self.unary()
        self.depth -= 1
        p = exponent.const
        if p is not None and not abs(p) <= MAX_EXPONENT:
            self.error(f"exponent {number_text(p)} is out of range (constant exponents need |p| <= {MAX_EXPONENT})",
                       start)
        return self.make(Binary(t.pos, op="^", left=base, right=exponent))

    def primary(self) -> Node:
        t = self.peek()
        self.i += 1
        if t.kind == "num":
            v = float(t.value)
            if not abs(v) <= MAX_LITERAL:
                self.error(f"number {t.value!r} is too large (literals need |v| <= 1e6)", t.pos)
            return self.make(Num(t.pos, value=v))
        if t.kind == "name":
            if self.peek().kind == "op" and self.peek().value == "(":
                return self.call(t)
            if t.value in self.variables:
                return self.make(Name(t.pos, name=t.value))
            if _function(t.value):
                self.error(f"function {t.value!r} must be called with parentheses, e.g. {t.value}(x)", t.pos)
            if _constant(t.value) is None:
                known = (*self.variables, *CONSTANTS, *FUNCTIONS)
                self.error(f"unknown name {t.value!r}{_suggest(t.value, known)}; allowed variables: "
                           f"{', '.join(self.variables) or 'none'}", t.pos)
            return self.make(Name(t.pos, name=_constant(t.value)))
        if t.kind == "op" and t.value == "(":
            self.enter(t.pos)
            node = self.expr()
            self.close(t)
            self.depth -= 1
            return node
        self.i -= 1
        if t.kind == "end":
            self.error("unexpected end of formula (expected a number, name or '(')", t.pos)
        self.error(f"unexpected {t.value!r} (expected a number, name or '(')", t.pos)

    def close(self, opening: _Tok):
        if self.accept(")") is None:
            self.unexpected(self.peek(), f" (missing ')' for the '(' at column {opening.pos})")

    def call(self, name: _Tok) -> Node:
        key = _function(name.value)
        if key is None or name.value in self.variables:
            if name.value in self.variables or _constant(name.value):
                self.error(f"{name.value!r} is not a function (write '*' to multiply)", name.pos)
            self.error(f"unknown function {name.value!r}{_suggest(name.value, FUNCTIONS)}", name.pos)
        opening = self.toks[self.i]
        self.i += 1
        self.enter(opening.pos)
        args = []
        if self.accept(")") is None:
            args.append(self.expr())
            while self.accept(",") is not None:
                args.append(self.expr())
            self.close(opening)
        self.depth -= 1
        arity = FUNCTIONS[key][0]
        if len(args) != arity:
            self.error(f"{name.value}() takes {arity} argument{'s' * (arity > 1)}, got {len(args)}",
                       name.pos)
        return self.make(Call(name.pos, name=key, args=tuple(args)))


def _apply(node: Node, values: list):
    if isinstance(node, Neg):
        return np.negative(values[0])
    if isinstance(node, Binary):
        return _BINARY[node.op](*values)
    return FUNCTIONS[node.name][1](*values)


def _fold(node: Node) -> float | None:
    """The value of a node without variables (children are already folded), else None."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return CONSTANTS.get(node.name)
    kids = children(node)
    if any(k.const is None for k in kids):
        return None
    with np.errstate(all="ignore"):
        return float(_apply(node, [np.float64(k.const) for k in kids]))


def _eval(node: Node, env: dict):
    if node.const is not None:
        return np.float64(node.const)
    if isinstance(node, Name):
        return env[node.name]
    return _apply(node, [_eval(k, env) for k in children(node)])


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed formula: call it with one array (or scalar) per variable it uses."""

    source: str
    root: Node
    variables: tuple
    text: str               # normalised text; ``parse(f.text)`` gives the same AST (if <= MAX_LENGTH:
                            # the spaces around + and - can make it longer than ``source``)
    variables_used: tuple   # in order of first appearance
    first_use: dict = field(default_factory=dict, repr=False)   # variable -> column of first use

    def latex(self) -> str:
        """LaTeX for ``st.latex``: \\frac for /, ^{...}, \\exp, \\sqrt{...}, \\max, \\left|...\\right|."""
        return render(self.root, True, _LATEX)[0]

    def __call__(self, **arrays) -> np.ndarray:
        """Evaluate with numpy broadcasting; returns a float array of the broadcast shape of all the
        arrays given (non-finite values allowed).  If ``r`` is used but not given while ``x`` and ``y``
        are, r = sqrt(x^2 + y^2)."""
        extra = sorted(set(arrays) - set(self.variables))
        if extra:
            raise TypeError(f"unexpected variable(s) {', '.join(extra)}; allowed: {', '.join(self.variables)}")
        env = {k: np.asarray(v, dtype=float) for k, v in arrays.items()}
        if "r" in self.variables_used and "r" not in env and "x" in env and "y" in env:
            env["r"] = np.hypot(env["x"], env["y"])
        for name in self.variables_used:
            if name not in env:
                raise FormulaError(f"no value given for variable {name!r}", self.first_use[name], self.source)
        with np.errstate(all="ignore"):
            out = _eval(self.root, env)
        shape = np.broadcast_shapes(np.shape(out), *(np.shape(v) for v in env.values()))
        return np.array(np.broadcast_to(out, shape), dtype=float)


def parse(text: str, variables=("x", "y", "r")) -> Formula:
    """Parse ``text`` into a :class:`Formula` over the allowed ``variables`` (the language: module docstring).

    Parameters
    ----------
    text : str
        At most ``MAX_LENGTH`` characters.
    variables : tuple of str, optional
        The names the formula may use.

    Returns
    -------
    Formula
        Callable on arrays (``formula(x=..., y=...)``), with its normalised text and LaTeX.

    Raises
    ------
    FormulaError
        A DataError whose message points at the offending part of ``text``.
    """
    if not isinstance(text, str):
        raise TypeError(f"formula must be a string, not {type(text).__name__}")
    variables = tuple(variables)
    for v in variables:
        if not isinstance(v, str) or not _NAME.match(v) or _function(v) or _constant(v):
            raise DataError(f"invalid variable name {v!r}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula too long ({len(text)} characters; at most {MAX_LENGTH})",
                           MAX_LENGTH, text[:MAX_LENGTH + 40])
    root = _Parser(text, variables).parse()
    used, stack = {}, [root]
    while stack:                       # pre-order, left to right
        node = stack.pop()
        if isinstance(node, Name) and node.name in variables:
            used.setdefault(node.name, node.pos)
        stack.extend(reversed(children(node)))
    return Formula(text, root, variables, render(root, False, _LATEX)[0], tuple(used), used)


def evaluate(text: str, **arrays) -> np.ndarray:
    """``parse(text, variables)(**arrays)`` with the variables x, y, r plus the names of ``arrays``.

    Parameters
    ----------
    text : str
    **arrays : array_like
        The values of the variables.

    Returns
    -------
    ndarray
        Broadcast over the arrays.
    """
    return parse(text, tuple(dict.fromkeys(("x", "y", "r", *arrays))))(**arrays)
