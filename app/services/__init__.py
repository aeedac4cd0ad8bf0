"""Domain rules, free of Flask requests: each function takes its session, actor and `now`."""
