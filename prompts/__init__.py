"""storyreel prompts: prompt templates shipped as package data."""
