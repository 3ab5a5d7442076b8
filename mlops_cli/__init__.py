"""The operator CLI of serverless-mlops (`mlops`)."""
