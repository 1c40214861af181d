
billing
billing(<0P8