from bobot.cli import main

main()
