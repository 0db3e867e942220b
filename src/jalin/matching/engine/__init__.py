"""The matching engine: a pure core (NumPy/SciPy, no Django import). See types.py for its contract.

- ``types``     the contract: CompanyRow, NeedQuery, Match, Message, WEIGHTS
- ``lexicon``   the built-in bilingual lexicon (Indonesian, English, trade slang → concept tokens) as data
- ``text``      tokenising, normalising and lexicon expansion (``Analyzer``)
- ``explain``   the score parts of one pair and its reasons and gaps in both languages (the reference)
- ``columns``   companies as NumPy columns; ``textindex`` the BM25 matrix with its update delta
- ``scoring``   the vectorised scoring of every company for one need
- ``index``     ``MatchIndex``: build, upsert, remove, rank, rank_needs, memory_bytes
"""
