"""Alerts in: every envelope AWS delivers, turned into one normalised `Alert` each."""
