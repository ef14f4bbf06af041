"""Customer email: what each message says (:mod:`bobot.mail.messages`), what it is made from
(:mod:`bobot.mail.compose`), and how it leaves (:mod:`bobot.mail.smtp`)."""
