"""Text and files from outside, accounts and sign-in brakes."""
