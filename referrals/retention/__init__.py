"""Retention: the free text of long-closed intakes is removed; codes and dates stay."""
