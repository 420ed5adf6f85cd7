"""awsenv: AWS IAM Identity Center in the terminal.

Kept import-free: the console script imports this package on every run,
including the credential cache hit that shells and SDKs call all day.
"""

__version__ = "0.1.0"
