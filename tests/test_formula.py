"""The safe formula language (engine.rnorm.formula): correctness against numpy, LaTeX, limits, hostile input."""
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine.rnorm.formula import FormulaError, evaluate, parse

RNG = np.random.default_rng(0)
X, Y = RNG.normal(size=200) * 2, RNG.normal(size=200) * 2
R = np.sqrt(X**2 + Y**2)
relu = lambda t: np.maximum(t, 0)  # noqa: E731

CASES = [
    ("1 + 2*3", 7.0), ("2*3 + 1", 7.0), ("(1 + 2)*3", 9.0), ("8/4/2", 1.0), ("8 - 4 - 2", 2.0),
    ("2^3^2", 512.0), ("2**3**2", 512.0), ("(2^3)^2", 64.0), ("-2^2", -4.0), ("(-2)^2", 4.0),
    ("2^-1", 0.5), ("--3", 3.0), ("+-+3", -3.0), ("-3*-2", 6.0), ("2*-3^2", -18.0), ("1e-3*1e3", 1.0),
    ("1.5e+2", 150.0), (".5 + 5.", 5.5), ("2 ^ 0.5 ^ 2", 2 ** 0.25), ("pi", np.pi), ("e", np.e),
    ("x - y - r", X - Y - R), ("x/y*r", X / Y * R), ("x^2 + y^2", X**2 + Y**2), ("-x^2", -(X**2)),
    ("x*y^2", X * Y**2), ("x - -y", X + Y), ("sqrt(x^2 + y^2) - r", np.sqrt(X**2 + Y**2) - R),
    ("exp(-r^2/2)", np.exp(-(R**2) / 2)), ("log(r)", np.log(R)), ("abs(x)", np.abs(X)),
    ("sin(x) + cos(y) + tan(x/4)", np.sin(X) + np.cos(Y) + np.tan(X / 4)),
    ("tanh(x)*sinh(y/3) - cosh(x/3)", np.tanh(X) * np.sinh(Y / 3) - np.cosh(X / 3)),
    ("arctan(x) - atan(y)", np.arctan(X) - np.arctan(Y)), ("atan2(y, x)", np.arctan2(Y, X)),
    ("arctan2(y, x)", np.arctan2(Y, X)), ("relu(x - 1) - relu(-y)", relu(X - 1) - relu(-Y)),
    ("max(x, y) + min(x, 2*y)", np.maximum(X, Y) + np.minimum(X, 2 * Y)), ("sign(x)", np.sign(X)),
    ("step(x)", (X > 0).astype(float)), ("2*pi*r", 2 * np.pi * R), ("e^x", np.e**X),
    ("r^1.5 * (1 - x/r)", R**1.5 * (1 - X / R)), ("x \u2212 y", X - Y),
    ("relu(1 - abs(x)) * relu(1 - abs(y))", relu(1 - np.abs(X)) * relu(1 - np.abs(Y))),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_matches_numpy(text, expected):
    f = parse(text)
    got = f(x=X, y=Y, r=R)
    assert got.dtype == float and got.shape == X.shape
    np.testing.assert_allclose(got, np.broadcast_to(expected, X.shape), rtol=1e-12, atol=1e-12)
    again = parse(f.text)                     # the normalised text parses back to the same AST
    assert again.root == f.root and again.text == f.text


def test_r_derived_broadcasting_and_api():
    f = parse("r - sqrt(x^2 + y^2)")
    assert f.variables_used == ("r", "x", "y")
    np.testing.assert_allclose(f(x=X, y=Y), 0, atol=1e-12)          # r = hypot(x, y) when not given
    g = parse("x*y")(x=np.arange(3.0), y=np.arange(2.0)[:, None])
    assert g.shape == (2, 3) and g.flags.writeable
    assert parse("2")(x=X).shape == X.shape and float(parse("2")()) == 2.0
    np.testing.assert_allclose(evaluate("t^2 + x", t=X, x=Y), X**2 + Y)
    assert parse("x", variables={"x"}).variables == ("x",)
    with pytest.raises(FormulaError, match="no value given for variable 'y' at column 4") as err:
        parse("x + y")(x=X)
    assert err.value.position == 4
    with pytest.raises(TypeError):
        parse("x")(x=X, z=X)
    with pytest.raises(ValueError):
        parse("x", variables=("x", "e"))
    with np.errstate(all="raise"):                                   # never warns or raises
        out = parse("log(x) + 1/(x - x) + x^y")(x=X, y=Y * 100)
    assert not np.isfinite(out).all()


def test_normalised_text():
    assert parse("  x**2+2 *  y ").text == "x^2 + 2*y"
    assert parse("(-x)^2 - (x - y) - -x").text == "(-x)^2 - (x - y) - -x"
    assert parse("+x / (y*r)").text == "x/(y*r)"
    assert parse("x^(2*y)").text == "x^(2*y)"
    assert parse("max( x ,y )").text == "max(x, y)"


def test_latex():
    tex = parse("exp(-r^2/2) + sqrt(abs(x))/(1 + y^2) - max(x, 0)*pi + 2^3^2 + 1e-7 + relu(x)").latex()
    for piece in [r"\exp\left(", r"\frac{-r^{2}}{2}", r"\sqrt{\left|x\right|}", r"\frac{", "{1 + y^{2}}",
                  r"\max\left(x, 0\right)", r"\cdot \pi", "2^{3^{2}}", r"10^{-7}", r"\operatorname{relu}"]:
        assert piece in tex, (piece, tex)
    assert parse("(x/y)^2").latex() == r"\left(\frac{x}{y}\right)^{2}"
    assert parse("-(x + y)*sin(x)").latex() == r"-\left(x + y\right) \cdot \sin\left(x\right)"


BAD = [
    ("", "empty formula", 0), ("   ", "empty formula", 0), ("__import__('os')", "unexpected character '_'", 0),
    ("x.__class__", "unexpected character '.'", 1), ("lambda", "unknown name 'lambda'", 0),
    ("exp(x", "missing ')'", 5), ("2x", "implicit multiplication", 1), ("x y", "implicit multiplication", 2),
    ("2(x)", "implicit multiplication", 1), ("(x)(y)", "implicit multiplication", 3),
    ("1e999", "number '1e999' is too large", 0), ("10^100", "exponent 100 is out of range", 3),
    ("9^9^9^9", "exponent 387420489 is out of range", 4), ("x^-17", "exponent -17", 2),
    ("2^(1/0)", "exponent inf", 2), ("max(x)", "max() takes 2 arguments, got 1", 0),
    ("exp(x, y)", "takes 1 argument, got 2", 0), ("sin()", "got 0", 0), ("foo + 1", "unknown name 'foo'", 0),
    ("x + sqr(x)", "unknown function 'sqr' (did you mean 'sqrt'?)", 4), ("exp", "must be called", 0),
    ("x(2)", "'x' is not a function", 0), ("x;y", "unexpected character ';'", 1),
    ("'x'", "unexpected character", 0), ('"x"', "unexpected character", 0), ("x[0]", "'['", 1),
    ("x)", "unmatched ')'", 1), ("((x)", "missing ')'", 4), ("x +", "unexpected end", 3),
    ("* x", "unexpected '*'", 0), ("x + * y", "unexpected '*'", 4), ("(x, y)", "unexpected ','", 2),
    ("x = 1", "unexpected character '='", 2), ("z", "unknown name 'z'", 0), ("x_1", "'_'", 1),
    ("x @ y", "'@'", 2), ("1.2.3", "implicit multiplication", 3), ("X", "unknown name 'X' (did you mean 'x'?)", 0),
]


@pytest.mark.parametrize("text,message,position", BAD)
def test_errors(text, message, position):
    with pytest.raises(FormulaError) as err:
        parse(text)
    e = err.value
    assert isinstance(e, ValueError) and message in str(e) and e.position == position, str(e)
    assert f"at column {position}" in str(e)
    if text.strip():
        assert str(e).splitlines()[-1] == "  " + " " * position + "^"       # caret under the offender


HOSTILE = {
    "1e5 nested parens": "(" * 100_000 + "x" + ")" * 100_000,
    "9^9^9^9": "9^9^9^9",
    "very long": "x+" * 100_000 + "x",
    "1000 open parens": "(" * 1000,
    "60 nested parens": "(" * 60 + "x" + ")" * 60,
    "nested calls": "exp(" * 60 + "x" + ")" * 60,
    "499 unary minus": "-" * 499 + "x",
    "power tower": "x" + "^x" * 60,
    "401 nodes": "x+" * 200 + "x",
    "constant exponent tower": "2^(" * 20 + "2" + ")" * 20,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_inputs_rejected_fast(name):
    text = HOSTILE[name]
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        with pytest.raises(FormulaError, match="too long|too deeply|too large|out of range"):
            parse(text)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.05, (name, best)


def test_limits_are_inclusive_and_parsing_is_fast():
    parse("(" * 50 + "x" + ")" * 50)
    parse("x^16 + 2^-16 + 1e6")
    parse("x+" * 149 + "x")                                          # 299 nodes
    text = "sin(x)*exp(-r^2/2) + max(x, y)^2 - " * 13 + "1.25e-3"
    assert len(text) <= 500
    f = parse(text)
    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        parse(text)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.01, best
    assert np.isfinite(f(x=X, y=Y, r=R)).all()


# Random well-formed formulas, built together with an independent numpy evaluation.
_LEAVES = [("x", lambda x, y: x), ("y", lambda x, y: y), ("pi", lambda x, y: np.pi)]
_UNARY = {"exp": np.exp, "sin": np.sin, "abs": np.abs, "tanh": np.tanh, "relu": relu, "sqrt": np.sqrt}
_BIN = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


@st.composite
def formulas(draw, depth=4):
    kind = draw(st.sampled_from(["leaf", "num"] + ["un", "neg", "bin", "pow", "max"] * (depth > 0)))
    sp = draw(st.sampled_from(["", " "]))
    if kind == "leaf":
        return draw(st.sampled_from(_LEAVES))
    if kind == "num":
        v = draw(st.integers(0, 999)) / 10
        return repr(v), lambda x, y: np.float64(v)
    a, fa = draw(formulas(depth - 1))
    if kind == "un":
        name = draw(st.sampled_from(sorted(_UNARY)))
        return f"{name}({sp}{a}{sp})", lambda x, y: _UNARY[name](fa(x, y))
    if kind == "neg":
        return f"-({a})", lambda x, y: -fa(x, y)
    if kind == "pow":
        p = draw(st.integers(-3, 3))
        op = draw(st.sampled_from(["^", "**"]))
        return f"({a}){sp}{op}{sp}{p}", lambda x, y: np.power(fa(x, y), float(p))
    b, fb = draw(formulas(depth - 1))
    if kind == "max":
        return f"max({a},{sp}{b})", lambda x, y: np.maximum(fa(x, y), fb(x, y))
    op = draw(st.sampled_from(sorted(_BIN)))
    return f"({a}){sp}{op}{sp}({b})", lambda x, y: _BIN[op](fa(x, y), fb(x, y))


@settings(max_examples=150, deadline=None)
@given(formulas())
def test_random_formulas_match_numpy(case):
    text, expected = case
    f = parse(text, variables=("x", "y"))
    with np.errstate(all="ignore"):
        want = np.broadcast_to(expected(X, Y), X.shape)
    np.testing.assert_allclose(f(x=X, y=Y), want, rtol=1e-12, atol=1e-300, equal_nan=True)
    g = parse(f.text, variables=("x", "y"))
    assert g.root == f.root and g.text == f.text
    assert f.latex()


SPELLINGS = [   # issue 13.7: the spellings users type (references: numpy's own functions)
    ("ln(r)", np.log(R)), ("Ln(r) - LOG(r)", 0 * R), ("EXP(-r^2/2)", np.exp(-(R**2) / 2)),
    ("Exp(x) + exP(y)", np.exp(X) + np.exp(Y)), ("Max(x, 0) - MIN(y, 1)", np.maximum(X, 0) - np.minimum(Y, 1)),
    ("SQRT(r) * Abs(x)", np.sqrt(R) * np.abs(X)), ("ReLU(x) + Relu(-y)", relu(X) + relu(-Y)),
    ("PI*r + Pi", np.pi * R + np.pi), ("log10(r) + log2(r)", np.log10(R) + np.log2(R)),
    ("arcsin(x/10) + ACOS(y/10) - asin(x/10) - arccos(y/10)", 0 * X), ("Atan2(y, x)", np.arctan2(Y, X)),
]


@pytest.mark.parametrize("text,expected", SPELLINGS)
def test_common_spellings(text, expected):
    np.testing.assert_allclose(parse(text)(x=X, y=Y, r=R), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("text,message,position", [
    ("Sqr(x)", "unknown function 'Sqr' (did you mean 'sqrt'?)", 0),
    ("lnn(x)", "unknown function 'lnn' (did you mean 'ln'?)", 0),
    ("EXPP(x)", "(did you mean 'exp'?)", 0), ("E*x", "unknown name 'E' (did you mean 'e'?)", 0),
    ("Exp(X)", "unknown name 'X' (did you mean 'x'?)", 4), ("EXP", "must be called", 0),
    ("PI(2)", "'PI' is not a function", 0),
])
def test_spellings_keep_real_typos_errors(text, message, position):
    with pytest.raises(FormulaError) as err:
        parse(text)
    assert message in str(err.value) and err.value.position == position, str(err.value)


def test_spelling_latex_and_variable_names():
    assert parse("LN(x)").latex() == parse("ln(x)").latex() == r"\ln\left(x\right)"
    assert parse("EXP(x)").latex() == parse("exp(x)").latex()
    for bad in ("Exp", "LN", "Pi"):          # a variable may not shadow a function or constant
        with pytest.raises(ValueError):
            parse("1", variables=(bad,))
    assert float(parse("X + x", variables=("x", "X"))(x=1.0, X=10.0)) == 11.0   # variables stay case-sensitive
