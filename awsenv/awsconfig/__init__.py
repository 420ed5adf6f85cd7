"""The user's AWS config file: read (botocore's loader), resolve, edit in place.

``read`` parses and resolves sessions/profiles, ``names`` lists names without
botocore (completion, prompt hook), ``edit`` makes byte-preserving changes,
``configure`` holds the core of ``awsenv configure``. Import the submodule you
need; this package imports nothing heavy.
"""
