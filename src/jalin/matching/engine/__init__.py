"""The matching engine: a pure core (NumPy/SciPy, no Django import). See types.py for its contract."""
