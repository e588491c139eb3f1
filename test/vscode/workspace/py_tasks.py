# Python fixture for the extension-API suite: .py files run in the Python runner.
import os


def square(x):
    return x * x


def fails_on_two(x):
    if x == 2:
        raise ValueError(f"two is not allowed (got {x})")
    return x


def pid(_=None):
    return os.getpid()
