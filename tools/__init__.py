"""storyreel tools: the story model, the continuity memory and the functions the agent calls.

Everything here is importable without torch or diffusers.
"""
