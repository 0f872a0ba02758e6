"""Who is calling and how much they may spend: client identities, tokens and quotas."""
