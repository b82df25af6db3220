"""Target Monitor (目标任务监测): monthly progress tracking for the city's 2025 plan."""

__version__ = "0.1.0"
