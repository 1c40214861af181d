
selfservice
bot(
0Z8
