"""Entity classes: the base class, the class factory and helper classes."""
