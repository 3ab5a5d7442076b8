"""Domain package of serverless-mlops. Subpackages name its parts; see the README's layout section."""
