"""Reference data: wards and communes and report categories as lists to choose from, and the categories' service
levels; where a point lies in Hanoi; loading the reviewed data files."""
