"""Local stand-ins for the services keycheck talks to, for the demo and the tests."""
