package main

f(n) := y if {
	n > 0
	y := f(n - 1)
}

f(0) := 0

deny contains "deep" if f(100000) == 0
