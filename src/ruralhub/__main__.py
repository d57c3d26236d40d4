from ruralhub.cli import main

main()
