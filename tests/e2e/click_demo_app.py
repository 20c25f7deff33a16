"""Demo for ui.click_plot: click empty space to add a point, click a point to remove it."""

import plotly.graph_objects as go
import streamlit as st

from ui.click_plot import click_plot

points = st.session_state.setdefault("points", [])

fig = go.Figure(
    [
        go.Scatter(x=[-1, 0, 1], y=[0, 0, 1], mode="lines", name="relu"),
        go.Scatter(
            x=[x for x, _ in points],
            y=[y for _, y in points],
            mode="markers",
            name="points",
            marker={"size": 12},
        ),
    ],
    layout={"xaxis": {"range": [-1, 1]}, "yaxis": {"range": [-1, 1]}},
)

event = click_plot(fig, key="demo")
if event and event["type"] == "add":
    points.append((event["x"], event["y"]))
    st.rerun()
if event and event["type"] == "remove":
    del points[event["index"]]
    st.rerun()

st.write(f"points: {len(points)}")
st.text(" ".join(f"({x:.3f}, {y:.3f})" for x, y in points))
