package main

double(s) := concat("", [s, s])

deny contains "big" if {
	a := double(double(double(double(double(double(double(double(double(double("0123456789abcdef"))))))))))
	b := double(double(double(double(double(double(double(double(double(double(a))))))))))
	c := double(double(double(double(double(double(double(double(double(double(b))))))))))
	count(c) > 0
}
