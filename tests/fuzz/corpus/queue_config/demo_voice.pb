
voice
voice_support(0P8
