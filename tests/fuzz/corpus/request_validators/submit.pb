
acmecust-42"My card was stolen* Someone used it yesterday. été2
regioneu2
orderA-1234:order-1234 retry #1@JchatRagent_07@acme