"""The syntax tree of ``engine.rnorm.formula`` and its rendering as normalised text or LaTeX."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    pos: int = field(compare=False)   # column of the token that made the node
    const: float | None = field(default=None, init=False, repr=False, compare=False)  # folded value


@dataclass
class Num(Node):
    value: float = 0.0


@dataclass
class Name(Node):          # a variable or one of CONSTANTS
    name: str = ""


@dataclass
class Neg(Node):
    operand: Node | None = None


@dataclass
class Binary(Node):        # op in + - * / ^
    op: str = "+"
    left: Node | None = None
    right: Node | None = None


@dataclass
class Call(Node):
    name: str = ""
    args: tuple = ()


KIDS = {Neg: lambda n: (n.operand,), Binary: lambda n: (n.left, n.right), Call: lambda n: n.args,
         Num: lambda n: (), Name: lambda n: ()}


def children(node: Node) -> tuple:
    return KIDS[type(node)](node)


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}   # unary minus: 3, atoms: 5


def number_text(v: float) -> str:
    s = repr(float(v))
    return s[:-2] if s.endswith(".0") else s


def render(node: Node, tex: bool, commands: dict) -> tuple[str, float]:
    """(string, precedence) of ``node`` as normalised text or LaTeX, with minimal parentheses;
    ``commands`` maps function names to their LaTeX command (None: \\operatorname)."""
    def wrap(child: Node, need):
        s, p = render(child, tex, commands)
        return (rf"\left({s}\right)" if tex else f"({s})") if need(p) else s

    if isinstance(node, Num):
        s = number_text(node.value)
        if tex and "e" in s:
            m, x = s.split("e")
            s = rf"{m} \times 10^{{{int(x)}}}"
        return s, 5
    if isinstance(node, Name):
        return (r"\pi" if tex and node.name == "pi" else node.name), 5
    if isinstance(node, Neg):
        return "-" + wrap(node.operand, lambda p: p < 3), 3
    if isinstance(node, Binary):
        op, prec = node.op, _PREC[node.op]
        if op == "^":
            base = wrap(node.left, lambda p: p < 5)
            return (f"{base}^{{{render(node.right, tex, commands)[0]}}}" if tex
                    else f"{base}^{wrap(node.right, lambda p: p < 3)}"), 4
        if tex and op == "/":
            return rf"\frac{{{render(node.left, tex, commands)[0]}}}{{{render(node.right, tex, commands)[0]}}}", 4.5
        left, right = wrap(node.left, lambda p: p < prec), wrap(node.right, lambda p: p <= prec)
        sep = {"+": " + ", "-": " - ", "*": r" \cdot " if tex else "*", "/": "/"}[op]
        return left + sep + right, prec
    args = [render(a, tex, commands)[0] for a in node.args]
    if not tex:
        return f"{node.name}({', '.join(args)})", 5
    if node.name == "sqrt":
        return rf"\sqrt{{{args[0]}}}", 5
    if node.name == "abs":
        return rf"\left|{args[0]}\right|", 5
    cmd = commands.get(node.name) or rf"\operatorname{{{node.name}}}"
    return rf"{cmd}\left({', '.join(args)}\right)", 5
