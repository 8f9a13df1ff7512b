"""storyreel front ends: the CLI, the terminal chat UI and the Slack bot.

Front ends are thin: they call the tools and the agent's Session API and show
what comes back; no story logic lives here.
"""
