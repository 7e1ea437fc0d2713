module fmn

go 1.26.0
