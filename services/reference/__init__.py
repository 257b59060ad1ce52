"""Reference data: wards and communes, report categories and agencies as lists to choose from; where a point lies in
Hanoi; loading the reviewed data files."""
