"""The pipeline's steps, one module each, so a function imports only what its layers hold.

Each takes the state's small JSON input and returns the next one; big things travel as S3 URIs.
"""
