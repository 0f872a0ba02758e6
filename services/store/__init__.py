"""Persistence: Tortoise models and async repository functions that return domain records.

The only package that imports tortoise. ORM rows never leave it.
"""
