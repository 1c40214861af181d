
email
email_support(Ø0Z8