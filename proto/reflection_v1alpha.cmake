# grpc.reflection.v1alpha is grpc.reflection.v1 under another package name; older clients
# (and grpcurl before 1.8.8) ask for it. Writes IN with the package renamed to OUT.
file(READ ${IN} text)
string(REPLACE "package grpc.reflection.v1;" "package grpc.reflection.v1alpha;" text "${text}")
string(REGEX REPLACE "option [a-z_]+ = [^\n]*\n" "" text "${text}")
file(WRITE ${OUT}.tmp "${text}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
