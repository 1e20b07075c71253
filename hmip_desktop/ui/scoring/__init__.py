"""The Scoring page: the judgement walkthrough per healthy prison test, and progress reviews."""
