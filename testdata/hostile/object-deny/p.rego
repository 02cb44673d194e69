package main

deny_other contains "never" if false

deny[k] := v if {
	k := "a"
	v := "fires"
}
