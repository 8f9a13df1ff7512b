"""storyreel agent: the directing loop (LangGraph), the directors and the Session API."""
