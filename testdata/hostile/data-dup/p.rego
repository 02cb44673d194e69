package main

deny contains "banned" if input.kind == data.banned
