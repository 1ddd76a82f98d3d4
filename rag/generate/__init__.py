"""Answer generation: the offline extractive answerer, the LLM answerer, prompts, follow-up condensing."""
