"""What every app shares and nothing in it depends on: helpers below the domain apps."""
