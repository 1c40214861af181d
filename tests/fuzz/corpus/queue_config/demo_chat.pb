
chat
chat_support(0P8