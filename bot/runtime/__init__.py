"""Entry points: the Bolt app, WSGI, Socket Mode, the SQS worker process and Lambda."""
