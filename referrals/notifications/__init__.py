"""In-app notifications about referrals, and the e-mails (links only) that announce them."""
