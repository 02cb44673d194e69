package main

x := [[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]

deny contains "x" if count(x) > 5

