"""The directing loop, wired in one place.

    direct -> apply -> approve -> render -> critique -> report -> END
                                 ^           |          \\-> ask -> direct   (a question)
                                 +- retake --+  (bounded per shot per turn, then ask)

Checkpointed per session thread with LangGraph's SQLite checkpointer, so a
session survives a restart (and a killed turn resumes from its last node).
"""

from __future__ import annotations

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from storyreel.agent import nodes
from storyreel.agent.state import AgentContext, AgentState


def after_report(state: AgentState) -> Literal["ask", "__end__"]:
    """Wait for an answer when the director asked a question; otherwise the turn ends."""
    return "ask" if state.get("question") else END


def after_critique(state: AgentState) -> Literal["render", "report"]:
    """Render again when the critic asked for retakes (the count is bounded in critique)."""
    return "render" if state.get("retake_ids") else "report"


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    """The compiled directing graph (context: AgentContext)."""
    graph = StateGraph(AgentState, context_schema=AgentContext)
    graph.add_node("direct", nodes.direct)
    graph.add_node("apply", nodes.apply)
    graph.add_node("approve", nodes.approve)
    graph.add_node("render", nodes.render)
    graph.add_node("critique", nodes.critique)
    graph.add_node("report", nodes.report)
    graph.add_node("ask", nodes.ask)
    graph.add_edge(START, "direct")
    graph.add_edge("direct", "apply")
    graph.add_edge("apply", "approve")
    graph.add_edge("approve", "render")
    graph.add_edge("render", "critique")
    graph.add_conditional_edges("critique", after_critique, ["render", "report"])
    graph.add_conditional_edges("report", after_report, ["ask", END])
    graph.add_edge("ask", "direct")
    return graph.compile(checkpointer=checkpointer)
