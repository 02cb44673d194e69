package main

deny_other contains "x" if false

deny(x) := true if x > 1
